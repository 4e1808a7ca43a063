import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thidua.settings")
application = get_wsgi_application()


def settle_heap():
    """Move what a worker has loaded so far (Django, the apps, their modules: a few hundred
    thousand objects that live as long as the process) out of the garbage collector's
    reach. A full collection that falls inside a request — a poll's close allocates tens of
    thousands of objects and can set one off — then scans what requests made, not the
    whole program: bench/voting.py measured ~200 ms for a full collection of such a heap,
    inside the close it timed (bench/README.md). Nothing is lost: objects frozen here are
    the program's own, never garbage."""
    gc.collect()
    gc.freeze()


settle_heap()
