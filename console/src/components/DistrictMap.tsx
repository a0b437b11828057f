/**
 * The province's shipped district boundaries on a Leaflet map, with optional device markers.
 * No tile server is needed: without config().tileUrl the map draws the boundaries alone. Only
 * lazy pages import this file, so Leaflet stays out of the sign-in and shell chunks. The map is
 * a picture of what the page also lists in text (tables, cards), so keyboard and screen-reader
 * users lose nothing by skipping it.
 */
import "leaflet/dist/leaflet.css";

import L from "leaflet";
import { useEffect, useRef } from "react";

import boundariesUrl from "../../../layers/nguon/nguon/data/binh-dinh-districts.geojson?url";
import { config } from "../config";

export interface DistrictStyle {
  fill: string;
  tooltip: string;
}

export interface MapMarker {
  id: string;
  lat: number;
  lon: number;
  color: string;
  tooltip: string;
}

interface Props {
  label: string;
  /** Districts to colour (by GSO code); the others are drawn grey. */
  districts?: Record<string, DistrictStyle>;
  /** Only these districts are drawn (a district user's own); all when absent. */
  only?: string[];
  selected?: string[];
  onDistrictClick?: (code: string, name: string) => void;
  markers?: MapMarker[];
  onMarkerClick?: (id: string) => void;
  height?: number;
}

type Boundaries = GeoJSON.FeatureCollection<GeoJSON.MultiPolygon | GeoJSON.Polygon, { code: string; name: string }>;

let boundaries: Promise<Boundaries> | undefined;

function loadBoundaries(): Promise<Boundaries> {
  boundaries ??= fetch(boundariesUrl).then((response) => response.json() as Promise<Boundaries>);
  return boundaries;
}

export function DistrictMap({ label, districts, only, selected, onDistrictClick, markers, onMarkerClick, height = 420 }: Props) {
  const element = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const shapes = useRef<L.GeoJSON | null>(null);
  const dots = useRef<L.LayerGroup | null>(null);
  const latest = useRef({ districts, selected, onDistrictClick, onMarkerClick });
  latest.current = { districts, selected, onDistrictClick, onMarkerClick };

  useEffect(() => {
    if (!element.current) return;
    const created = L.map(element.current, { zoomSnap: 0.25, attributionControl: false, keyboard: false });
    const tileUrl = config().tileUrl;
    if (tileUrl) L.tileLayer(tileUrl, { maxZoom: 18 }).addTo(created);
    // Devices in a pane above the districts, whichever is drawn first.
    created.createPane("devices").style.zIndex = "450";
    dots.current = L.layerGroup().addTo(created);
    map.current = created;
    let live = true;
    void loadBoundaries().then((data) => {
      if (!live) return;
      const features = only ? data.features.filter((f) => only.includes(f.properties.code)) : data.features;
      shapes.current = L.geoJSON({ ...data, features } as GeoJSON.FeatureCollection, {
        style: (feature) => styleOf(feature?.properties.code ?? ""),
        onEachFeature: (feature, layer) => {
          layer.on("click", () => latest.current.onDistrictClick?.(feature.properties.code, feature.properties.name));
          layer.bindTooltip(() => latest.current.districts?.[feature.properties.code]?.tooltip ?? feature.properties.name, {
            sticky: true,
          });
        },
      }).addTo(created);
      created.fitBounds(shapes.current.getBounds(), { padding: [8, 8] });
    });
    return () => {
      live = false;
      created.remove();
      map.current = null;
    };
    // The map is built once per set of drawn districts; colours and markers update below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [(only ?? []).join(",")]);

  useEffect(() => {
    shapes.current?.setStyle((feature) => styleOf(feature?.properties.code ?? ""));
  }, [districts, selected]);

  useEffect(() => {
    const group = dots.current;
    if (!group) return;
    group.clearLayers();
    for (const marker of markers ?? []) {
      L.circleMarker([marker.lat, marker.lon], {
        pane: "devices",
        radius: 6,
        color: "#222",
        weight: 1,
        fillColor: marker.color,
        fillOpacity: 0.9,
      })
        .bindTooltip(marker.tooltip)
        .on("click", () => latest.current.onMarkerClick?.(marker.id))
        .addTo(group);
    }
  }, [markers]);

  function styleOf(code: string): L.PathOptions {
    const { districts: styles, selected: chosen } = latest.current;
    const picked = chosen?.includes(code);
    return {
      color: picked ? "#0b3d91" : "#555",
      weight: picked ? 3 : 1,
      fillColor: styles?.[code]?.fill ?? "#d9d9d9",
      fillOpacity: picked ? 0.75 : 0.55,
    };
  }

  return <div ref={element} role="region" aria-label={label} className="district-map" style={{ height }} />;
}

/** A colour from red (none online) to green (all online); grey when there is nothing. */
export function healthColour(online: number, total: number): string {
  if (!total) return "#d9d9d9";
  const ratio = online / total;
  if (ratio >= 0.95) return "#52c41a";
  if (ratio >= 0.8) return "#a0d911";
  if (ratio >= 0.5) return "#faad14";
  return "#f5222d";
}
