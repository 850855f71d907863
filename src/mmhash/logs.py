"""Logging set-up shared by the per-rule scripts."""

import logging
import sys
from contextlib import contextmanager
from pathlib import Path

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@contextmanager
def rule_logging(log_path):
    """Send logging, warnings, progress bars and tracebacks to the rule's log file.

    Snakemake shows the log of a failed job (``show-failed-logs`` in the default
    profile), so an error raised inside the block is written there in full
    before it propagates and fails the job.
    """
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    original_stderr = sys.stderr
    with open(log_path, "w", encoding="utf-8", buffering=1) as stream:
        sys.stderr = stream
        logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, stream=stream, force=True)
        logging.captureWarnings(True)
        # Libraries such as transformers attach their own stderr handler at import time.
        redirected = _redirect_stderr_handlers(original_stderr, stream)
        try:
            yield logging.getLogger("mmhash")
        except Exception:
            logging.getLogger("mmhash").exception("rule failed")
            raise
        finally:
            for handler in redirected:
                handler.setStream(original_stderr)
            logging.shutdown()
            sys.stderr = original_stderr


def _redirect_stderr_handlers(old_stream, new_stream):
    """Point every logging handler that writes to ``old_stream`` at ``new_stream``; return those handlers."""
    redirected = []
    for logger in logging.Logger.manager.loggerDict.values():
        for handler in getattr(logger, "handlers", []):
            if isinstance(handler, logging.StreamHandler) and handler.stream is old_stream:
                handler.setStream(new_stream)
                redirected.append(handler)
    return redirected
