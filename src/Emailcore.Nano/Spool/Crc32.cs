namespace Emailcore.Nano.Spool
{
    /// <summary>
    /// CRC-32 as in IEEE 802.3, zlib and PNG (reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF):
    /// the check value of "123456789" is 0xCBF43926. Written by hand because the board's library has none.
    /// </summary>
    public static class Crc32
    {
        private static readonly uint[] Table = BuildTable();

        public const uint Initial = 0xFFFFFFFF;

        /// <summary>Feeds bytes into a running value that started at <see cref="Initial"/>.</summary>
        public static uint Update(uint crc, byte[] buffer, int offset, int count)
        {
            for (int i = offset; i < offset + count; i++)
            {
                crc = Table[(crc ^ buffer[i]) & 0xFF] ^ (crc >> 8);
            }

            return crc;
        }

        /// <summary>The finished checksum of a running value.</summary>
        public static uint Final(uint crc)
        {
            return crc ^ 0xFFFFFFFF;
        }

        public static uint Compute(byte[] buffer, int offset, int count)
        {
            return Final(Update(Initial, buffer, offset, count));
        }

        private static uint[] BuildTable()
        {
            var table = new uint[256];
            for (uint n = 0; n < 256; n++)
            {
                uint c = n;
                for (int k = 0; k < 8; k++)
                {
                    c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
                }

                table[n] = c;
            }

            return table;
        }
    }
}
