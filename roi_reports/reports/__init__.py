"""Report building: the display-independent report model, then Excel, PDF and charts."""
