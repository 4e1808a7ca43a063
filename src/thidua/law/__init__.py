"""The law every app consults, just above `core`: the rulebooks (YAML files, their loading
and selection by date and province), the award-form vocabulary, thresholds, quotas,
eligibility, allocation, bonus points, the RULES.md 32 ordering, what-if and the proposal
workflow. Pure modules: they import `core` at most and no other app."""
