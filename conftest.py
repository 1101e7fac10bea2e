"""Settings shared by every test directory."""

from hypothesis import settings

# Property tests check behaviour, never speed: a loaded CI machine must not fail them on Hypothesis's deadline.
settings.register_profile("ocilink", deadline=None)
settings.load_profile("ocilink")
