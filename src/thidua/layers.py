"""The layers of thidua, lowest first: the one place the intended order is written.

An app may import apps below it, never one above it nor a neighbour in its own layer
(tests/test_layers.py walks every import of src/thidua and checks it, with no import
inside a function to dodge a cycle). docs/DESIGN.md ("Layers") explains each step.
"""

LAYERS = (
    ("core",),  # the user, the audit log, Vietnamese text, sign-in mechanics
    ("law",),  # the rulebooks: what every app consults (pure)
    ("org",),  # provinces, blocs, units, years, roles, phases
    ("pledges",),
    ("scoring",),
    ("voting",),
    ("awards",),
    ("documents",),
    ("publication",),
    ("guidance",),  # "where am I, what next": reads every app above, owns none
    ("exchange",),  # export/import of a whole province: writes every app's rows
    ("api", "web"),  # the two doors; they call the same services, never each other
    ("demo",),  # loads a whole demo province through every door: at the top
)


def layer_of(app: str) -> int | None:
    """The index of `app`'s layer in LAYERS, None when the app has no place yet."""
    for index, apps in enumerate(LAYERS):
        if app in apps:
            return index
    return None
