"""Settings for bench/app_floor.py: the app's own, with that module as the URLconf."""

from reader.settings import *  # noqa: F403 - the app's settings, whole

ROOT_URLCONF = "bench.app_floor"
