namespace Emailcore.Nano.Smtp.Server
{
    /// <summary>
    /// PBKDF2-HMAC-SHA256 (RFC 8018 §5.2, RFC 2104 HMAC) for the smtpd_sasl_users file: both targets compute it
    /// in managed code, and the per-user salt and iteration count in the file let a board use fewer rounds.
    /// Not thread-safe: one instance per caller (the users table locks around it).
    /// </summary>
    public sealed class PasswordHash
    {
        private readonly Sha256 _sha = new Sha256();
        private readonly byte[] _inner = new byte[Sha256.BlockSize];
        private readonly byte[] _outer = new byte[Sha256.BlockSize];
        private readonly byte[] _u = new byte[Sha256.HashSize];
        private readonly byte[] _t = new byte[Sha256.HashSize];
        private readonly byte[] _counter = new byte[4];

        /// <summary>Derives <paramref name="count"/> bytes (at most 32: one block, all the file format uses) into <paramref name="into"/>.</summary>
        public void Pbkdf2(byte[] password, int passwordOffset, int passwordLength, byte[] salt, int iterations, byte[] into, int count)
        {
            Key(password, passwordOffset, passwordLength);
            _counter[0] = 0;
            _counter[1] = 0;
            _counter[2] = 0;
            _counter[3] = 1;

            // U1 = PRF(P, S || INT(1)); T = U1 ^ U2 ^ ... ^ Uc
            Begin();
            _sha.Update(salt, 0, salt.Length);
            _sha.Update(_counter, 0, 4);
            End();
            System.Array.Copy(_u, _t, Sha256.HashSize);
            for (int i = 1; i < iterations; i++)
            {
                Begin();
                _sha.Update(_u, 0, Sha256.HashSize);
                End();
                for (int j = 0; j < Sha256.HashSize; j++)
                {
                    _t[j] ^= _u[j];
                }
            }

            System.Array.Copy(_t, into, count);
            System.Array.Clear(_inner, 0, _inner.Length);
            System.Array.Clear(_outer, 0, _outer.Length);
            System.Array.Clear(_t, 0, _t.Length);
        }

        /// <summary>HMAC-SHA256 of one message (RFC 2104), for tests and callers that need the PRF alone.</summary>
        public void Hmac(byte[] key, int keyOffset, int keyLength, byte[] message, int offset, int count, byte[] into)
        {
            Key(key, keyOffset, keyLength);
            Begin();
            _sha.Update(message, offset, count);
            End();
            System.Array.Copy(_u, into, Sha256.HashSize);
        }

        /// <summary>Compares without an early exit, so timing tells nothing about where two hashes differ.</summary>
        public static bool FixedTimeEquals(byte[] a, byte[] b, int count)
        {
            int diff = 0;
            for (int i = 0; i < count; i++)
            {
                diff |= a[i] ^ b[i];
            }

            return diff == 0;
        }

        private void Key(byte[] key, int offset, int length)
        {
            System.Array.Clear(_inner, 0, Sha256.BlockSize);
            if (length > Sha256.BlockSize)
            {
                // RFC 2104 §2: keys longer than the block are hashed first.
                _sha.Update(key, offset, length);
                _sha.Final(_inner, 0);
            }
            else
            {
                System.Array.Copy(key, offset, _inner, 0, length);
            }

            for (int i = 0; i < Sha256.BlockSize; i++)
            {
                _outer[i] = (byte)(_inner[i] ^ 0x5c);
                _inner[i] ^= 0x36;
            }
        }

        private void Begin()
        {
            _sha.Update(_inner, 0, Sha256.BlockSize);
        }

        private void End()
        {
            _sha.Final(_u, 0);
            _sha.Update(_outer, 0, Sha256.BlockSize);
            _sha.Update(_u, 0, Sha256.HashSize);
            _sha.Final(_u, 0);
        }
    }
}
