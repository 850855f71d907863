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
        try:
            yield logging.getLogger("mmhash")
        except Exception:
            logging.getLogger("mmhash").exception("rule failed")
            raise
        finally:
            logging.shutdown()
            sys.stderr = original_stderr
