"""Which Chris is this? Lesson 2 of fast.ai's course, from image search to a deployed face classifier."""

def _version():
    "The installed version; settings.ini is its only source (read directly when the package is not installed)."
    from importlib.metadata import version, PackageNotFoundError
    try: return version('chris_classifier')
    except PackageNotFoundError:
        from configparser import ConfigParser
        from pathlib import Path
        cfg = ConfigParser(); cfg.read(Path(__file__).parent.parent/'settings.ini')
        return cfg.get('DEFAULT', 'version', fallback='0.0.0')

__version__ = _version()
