// CRC16/XMODEM (polynomial 0x1021), the checksum Redis Cluster slots keys by.
const TABLE = Array.from({ length: 256 }, (_, byte) => {
  let crc = byte << 8;
  for (let bit = 0; bit < 8; bit += 1) {
    crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
});

/**
 * The Redis Cluster slot (0 to 16383) of a key or shard channel, as
 * `CLUSTER KEYSLOT` computes it: of the text between the first `{` and the
 * next `}` when that is not empty (a hash tag), else of the whole key.
 */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) {
      key = key.slice(open + 1, close);
    }
  }
  let crc = 0;
  for (const byte of Buffer.from(key)) {
    crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ byte) & 0xff];
  }
  return crc & 0x3fff;
}
