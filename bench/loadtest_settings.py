"""Settings for ``bench/loadtest.py``: the application's own settings, plus the floor.

Only the URLconf changes (``bench/loadtest_urls.py`` adds ``/__floor__``, a bare Django view
behind the same middleware), and static files are collected into a scratch folder so the run
never touches the project's ``staticfiles/``. Everything else — ``DEBUG``, ``SECRET_KEY``,
``DATABASE_URL`` … — comes from the environment the driver sets.
"""

from pathlib import Path

from partnerships.settings import *  # noqa: F403
from partnerships.settings import STATIC_ROOT, env

ROOT_URLCONF = "bench.loadtest_urls"
STATIC_ROOT = Path(env.str("LOADTEST_STATIC_ROOT", default=str(STATIC_ROOT)))
