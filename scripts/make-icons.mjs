#!/usr/bin/env node
// Draws the app icon and the tray icons into assets/ as PNGs, with nothing but Node (zlib + a CRC).
// Run it after changing a shape or a colour: `node scripts/make-icons.mjs`; the PNGs are committed.
//
//   icon.png                 1024×1024, electron-builder derives .icns/.ico from it
//   tray-<state>.png         32×32 tray icon per state (idle, syncing, error, paused)
//   tray-<state>@2x.png      64×64 for high-DPI screens (Electron picks it by the @2x suffix)
//
// Shapes are described in a unit square (0..1, y down) as coverage functions and rendered with 4×4
// supersampling, so edges stay smooth at 32 px.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'assets');

// ---- PNG -----------------------------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** RGBA pixels (Float32 0..1, premultiplied) → PNG bytes (8-bit RGBA, straight alpha). */
function encodePng(size, pixels) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    const row = y * (size * 4 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      const a = pixels[i + 3];
      const o = row + 1 + x * 4;
      for (let c = 0; c < 3; c++) raw[o + c] = a > 0 ? Math.round(Math.min(1, pixels[i + c] / a) * 255) : 0;
      raw[o + 3] = Math.round(a * 255);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- Shapes (point → inside?) --------------------------------------------------------------------

const circle = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;

function roundedRect(x0, y0, x1, y1, r) {
  return (x, y) => {
    const dx = Math.max(x0 + r - x, 0, x - (x1 - r));
    const dy = Math.max(y0 + r - y, 0, y - (y1 - r));
    return x >= x0 && x <= x1 && y >= y0 && y <= y1 && dx * dx + dy * dy <= r * r;
  };
}

const union = (...shapes) => (x, y) => shapes.some((s) => s(x, y));

function triangle(ax, ay, bx, by, cx, cy) {
  const side = (px, py, qx, qy, x, y) => (qx - px) * (y - py) - (qy - py) * (x - px);
  return (x, y) => {
    const d1 = side(ax, ay, bx, by, x, y);
    const d2 = side(bx, by, cx, cy, x, y);
    const d3 = side(cx, cy, ax, ay, x, y);
    return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
  };
}

/** A ring segment from angle a0 to a1 (radians, clockwise on screen since y points down). */
function arc(cx, cy, r, width, a0, a1) {
  return (x, y) => {
    const d = Math.hypot(x - cx, y - cy);
    if (Math.abs(d - r) > width / 2) return false;
    let a = Math.atan2(y - cy, x - cx);
    while (a < a0) a += 2 * Math.PI;
    return a <= a1;
  };
}

/** An arrowhead at the end (angle `a`) of an arc, pointing along the clockwise direction. */
function arcHead(cx, cy, r, size, a) {
  const px = cx + r * Math.cos(a);
  const py = cy + r * Math.sin(a);
  const tx = -Math.sin(a); // clockwise tangent
  const ty = Math.cos(a);
  const nx = Math.cos(a);
  const ny = Math.sin(a);
  const tip = size * 1.4;
  return triangle(px + tx * tip, py + ty * tip, px + nx * size, py + ny * size, px - nx * size, py - ny * size);
}

/** Two arrows chasing each other round a circle: the "sync" glyph. */
function syncArrows(cx, cy, r, width) {
  const head = width * 1.5;
  const a = (deg) => (deg * Math.PI) / 180;
  return union(
    arc(cx, cy, r, width, a(195), a(320)),
    arcHead(cx, cy, r, head, a(320)),
    arc(cx, cy, r, width, a(15), a(140)),
    arcHead(cx, cy, r, head, a(140)),
  );
}

const cloud = union(
  roundedRect(0.12, 0.5, 0.87, 0.8, 0.15),
  circle(0.34, 0.52, 0.17),
  circle(0.57, 0.43, 0.23),
  circle(0.72, 0.6, 0.16),
);

const exclamation = union(roundedRect(0.455, 0.42, 0.545, 0.63, 0.045), circle(0.5, 0.705, 0.05));
const pauseBars = union(roundedRect(0.395, 0.46, 0.47, 0.73, 0.03), roundedRect(0.53, 0.46, 0.605, 0.73, 0.03));

// ---- Rendering -----------------------------------------------------------------------------------

const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16) / 255);

/**
 * Layers: [shape, colour] painted bottom to top. A colour is '#rrggbb', or a function (x, y) → rgb
 * for a gradient.
 */
function render(size, layers) {
  const pixels = new Float32Array(size * size * 4);
  const ss = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const x = (px + (sx + 0.5) / ss) / size;
          const y = (py + (sy + 0.5) / ss) / size;
          // Topmost layer that covers the sample wins (every layer is opaque).
          for (let l = layers.length - 1; l >= 0; l--) {
            const [shape, colour] = layers[l];
            if (!shape(x, y)) continue;
            const [cr, cg, cb] = typeof colour === 'function' ? colour(x, y) : hex(colour);
            r += cr;
            g += cg;
            b += cb;
            a += 1;
            break;
          }
        }
      }
      const n = ss * ss;
      const i = (py * size + px) * 4;
      pixels[i] = r / n;
      pixels[i + 1] = g / n;
      pixels[i + 2] = b / n;
      pixels[i + 3] = a / n;
    }
  }
  return pixels;
}

// Inside the tray icons, shapes are scaled about the centre so the cloud fills the small square.
const scaled = (shape, k) => (x, y) => shape(0.5 + (x - 0.5) / k, 0.5 + (y - 0.5) / k);

const STATES = {
  idle: { colour: '#8a94a6', glyph: null },
  syncing: { colour: '#2f80ed', glyph: syncArrows(0.5, 0.6, 0.13, 0.07) },
  error: { colour: '#e5484d', glyph: exclamation },
  paused: { colour: '#f2a516', glyph: pauseBars },
};

function trayLayers({ colour, glyph }) {
  const k = 1.12;
  const layers = [[scaled(cloud, k), colour]];
  if (glyph) layers.push([scaled(glyph, k), '#ffffff']);
  return layers;
}

function appIconLayers() {
  const top = hex('#4f9cf9');
  const bottom = hex('#1c5fd1');
  const gradient = (_x, y) => top.map((t, i) => t + (bottom[i] - t) * y);
  // macOS-style margin: the rounded square covers ~80% of the canvas.
  const tile = roundedRect(0.1, 0.1, 0.9, 0.9, 0.18);
  const inner = (shape) => scaled(shape, 0.74);
  return [
    [tile, gradient],
    [inner(cloud), '#ffffff'],
    [inner(syncArrows(0.5, 0.61, 0.12, 0.045)), '#1f66d8'],
  ];
}

mkdirSync(outDir, { recursive: true });
const write = (name, size, layers) => {
  writeFileSync(join(outDir, name), encodePng(size, render(size, layers)));
  console.log(`wrote assets/${name} (${size}×${size})`);
};
write('icon.png', 1024, appIconLayers());
for (const [state, spec] of Object.entries(STATES)) {
  write(`tray-${state}.png`, 32, trayLayers(spec));
  write(`tray-${state}@2x.png`, 64, trayLayers(spec));
}
