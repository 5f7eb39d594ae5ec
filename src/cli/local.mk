# src/cli: sources, tests and fuzz targets of this layer.
