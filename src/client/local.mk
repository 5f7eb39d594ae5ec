# src/client: sources, tests and fuzz targets of this layer.
