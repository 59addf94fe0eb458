"""Release: publish a validated build (release files switched into place), optionally pushed to a
remote store with the Graph Store Protocol."""
from kg.core import lazy_face

__getattr__, __all__ = lazy_face(__name__, {
    "publishing": ["PublishBlocked", "PublishResult", "publish"],
    "auth": ["RemoteAuth", "RemoteAuthError", "check_url", "scheme_asked"],
    "remote": ["GraphStore", "RemoteError", "RemotePushError"],
})
