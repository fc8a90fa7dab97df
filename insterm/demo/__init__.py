"""The demonstration practice: synthetic patients for `insterm demo` and `scripts/bench`."""
