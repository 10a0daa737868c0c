namespace Emailcore.Nano.Smtp.Server
{
    /// <summary>
    /// Strict RFC 4648 §4 base64, decoded incrementally into a caller's buffer: AUTH responses (RFC 4954) may
    /// arrive as several pieces of one long line, and nothing of them needs to be held encoded.
    /// </summary>
    public sealed class Base64Decoder
    {
        private byte[] _output;
        private int _start;
        private int _capacity;
        private int _quantum;
        private int _quantumLength;
        private int _padding;
        private bool _failed;

        /// <summary>Bytes decoded so far.</summary>
        public int Length { get; private set; }

        /// <summary>True when the decoded bytes did not fit the output (the input may still be valid base64).</summary>
        public bool Overflowed { get; private set; }

        public void Start(byte[] output, int offset, int capacity)
        {
            _output = output;
            _start = offset;
            _capacity = capacity;
            _quantum = 0;
            _quantumLength = 0;
            _padding = 0;
            _failed = false;
            Overflowed = false;
            Length = 0;
        }

        public void Feed(byte[] input, int offset, int count)
        {
            for (int i = offset; i < offset + count && !_failed; i++)
            {
                int v = Value(input[i]);
                if (v == -2 && _quantumLength >= 2)
                {
                    // '=' pads only the last quantum: "xx==" or "xxx=".
                    _padding++;
                    _quantumLength++;
                }
                else if (v < 0 || _padding > 0)
                {
                    _failed = true;
                    return;
                }
                else
                {
                    _quantum = (_quantum << 6) | v;
                    _quantumLength++;
                }

                if (_quantumLength == 4)
                {
                    Emit();
                }
            }
        }

        /// <summary>True when the whole input was valid base64 that fitted.</summary>
        public bool Finish()
        {
            return !_failed && _quantumLength == 0;
        }

        private void Emit()
        {
            int bytes = 3 - _padding;
            int quantum = _quantum << (6 * _padding);
            if (Length + bytes > _capacity)
            {
                _failed = true;
                Overflowed = true;
                return;
            }

            for (int k = 0; k < bytes; k++)
            {
                _output[_start + Length++] = (byte)(quantum >> (16 - 8 * k));
            }

            _quantum = 0;
            _quantumLength = 0;
            if (_padding > 0)
            {
                // Nothing may follow the padded quantum.
                _padding = 4;
            }
        }

        private static int Value(byte c)
        {
            if (c >= 'A' && c <= 'Z')
            {
                return c - 'A';
            }

            if (c >= 'a' && c <= 'z')
            {
                return c - 'a' + 26;
            }

            if (c >= '0' && c <= '9')
            {
                return c - '0' + 52;
            }

            if (c == '+')
            {
                return 62;
            }

            if (c == '/')
            {
                return 63;
            }

            return c == '=' ? -2 : -1;
        }
    }
}
