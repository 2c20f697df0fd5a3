"""The three-step registration QWizard and its pages."""
