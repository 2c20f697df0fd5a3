"""Windows and widgets other than the registration wizard."""
