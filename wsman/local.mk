# wsman: sources, tests and fuzz targets of this layer.
