"""The demo data set: `hitcircle demo load` (`load_demo`) and `hitcircle serve --demo`
(`seed_demo_live_state`). What it contains is described in `hitcircle.demo.dataset`."""

from hitcircle.demo.live import seed_demo_live_state
from hitcircle.demo.load import DemoError, DemoSummary, ProgressCallback, load_demo

__all__ = ["DemoError", "DemoSummary", "ProgressCallback", "load_demo", "seed_demo_live_state"]
