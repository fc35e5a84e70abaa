#!/usr/bin/env python3
"""Opens energistasjon's QGIS project in the real QGIS (PyQGIS, headless) the way a planner
would: every layer must be valid and hold the API's feature count, and the visible layers
must render a map that is not blank.

    QT_QPA_PLATFORM=offscreen python3 check_project.py BASE_URL PROJECT.qgs OUT.png

Prints one JSON object: per layer its validity, QGIS's count and the API's numberMatched,
and the rendered image's distinct colours. Called by tests/qgis.rs."""
import json, sys, urllib.request

from qgis.core import (QgsApplication, QgsCoordinateTransform, QgsMapRendererParallelJob,
                       QgsMapSettings, QgsProject, QgsRectangle)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

base, path, out = sys.argv[1:4]
app = QgsApplication([], False)
app.initQgis()
project = QgsProject.instance()
read = project.read(path)
layers = []
for layer in project.mapLayers().values():
    typename = layer.dataProvider().uri().param("typename") if layer.isValid() else None
    with urllib.request.urlopen(f"{base}/collections/{typename}/items?limit=1") as r:
        matched = json.load(r)["numberMatched"]
    layers.append({
        "name": layer.name(),
        "collection": typename,
        "valid": layer.isValid(),
        "provider": layer.providerType(),
        "qgis_count": layer.featureCount(),
        "api_count": matched,
        "renderer": layer.renderer().type() if layer.renderer() else None,
    })
root = project.layerTreeRoot()
visible = [l for l in project.mapLayers().values() if root.findLayer(l.id()).isVisible()]
settings = QgsMapSettings()
settings.setDestinationCrs(project.crs())
settings.setLayers(visible)
extent = QgsRectangle()
for l in visible:
    t = QgsCoordinateTransform(l.crs(), project.crs(), project)
    extent.combineExtentWith(t.transformBoundingBox(l.extent()))
settings.setExtent(extent)
settings.setOutputSize(QSize(900, 900))
settings.setBackgroundColor(QColor(255, 255, 255))
job = QgsMapRendererParallelJob(settings)
job.start()
job.waitForFinished()
image = job.renderedImage()
image.save(out, "PNG")
colours = set()
for x in range(0, image.width(), 6):
    for y in range(0, image.height(), 6):
        colours.add(image.pixel(x, y))
print(json.dumps({"read": read, "crs": project.crs().authid(), "layers": layers,
                  "visible": [l.name() for l in visible], "colours": len(colours)}))
app.exitQgis()
