// Small real images for the provider stand-ins' profile pictures, so the worker copies actual
// PNG/JPEG bytes (magic-byte checked) rather than placeholders.

import { crc32, deflateSync } from 'node:zlib';

/** A w×h RGB PNG filled with `rgb`, with a lighter diagonal so it is not a flat colour. */
export function pngBytes(width, height, rgb) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour
  const rows = [];
  for (let y = 0; y < height; y += 1) {
    const row = Buffer.alloc(1 + width * 3); // filter byte 0: none
    for (let x = 0; x < width; x += 1) {
      const light = x === y ? 80 : 0;
      row[1 + x * 3] = Math.min(255, rgb[0] + light);
      row[2 + x * 3] = Math.min(255, rgb[1] + light);
      row[3 + x * 3] = Math.min(255, rgb[2] + light);
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A 32×32 baseline JPEG (a dark dot on yellow), made once with Pillow. */
export const JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAYEBQYFBAYGBQYHBwYIChAKCgkJChQODwwQFxQYGBcUFhYaHSUfGhsjHBYWICwgIyYnKSopGR8tMC0oMCUoKSj/2wBDAQcHBwoIChMKChMoGhYaKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCj/wAARCAAgACADASIAAhEBAxEB/8QAGAABAQEBAQAAAAAAAAAAAAAACAADBAf/xAAmEAABBAEDAwQDAAAAAAAAAAABAgMEEQUABiEHEkETIjFhQoGx/8QAGAEAAgMAAAAAAAAAAAAAAAAAAAMBBgf/xAAgEQACAgIBBQEAAAAAAAAAAAABAgMFABIxEUFRcYHR/9oADAMBAAIRAxEAPwD23Vq0WOqHUCdunKyY0WStrBtqLbLLalJS+kKsOLBqySAQCPbx5snD6amltpSiHoo5Pj9JywSSBBin1aIext65XaGRbdhOrdhFRL0JayG3QaBNfiqgKUBfA+RYK1gS2J8GPMiL9SNIbS60uiO5KhYNHkcHzpl1RS1Lrsdlbg8fCO2EcgfN9EPqFtGXtDPuxH21mE4pS4b5PcHW74s0PcAQFChz9EErzWE6HGnxVxp0dmTGXXe08gLQqjYsHg8gH9aKK6eplLa7K3I9cEesJI9xg42xgMhuXMM43FM+o+5ypR4Q2kfK1HwkX/ALJA0xMTBaxeKhY+OpamYjKGEKWQVFKUhIJquaGrG42Di2FM4yFGhsqV3luO0ltJVQF0AOaA5+tdWm3181sygLqi8Dv18nIjj0z//Z',
  'base64',
);
