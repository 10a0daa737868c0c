using System;
using System.Threading;
using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Device.Platform
{
    /// <summary>
    /// The board's clock. The firmware starts SNTP by itself at every got-IP event and has no "synchronised"
    /// flag, so the wall time counts as known once it has reached <see cref="FirstValidYear"/> (nanoFramework's
    /// own NetworkHelper heuristic). The monotonic clock is the firmware's tick count
    /// (nanoFramework.Runtime.Native's Environment.TickCount64): a managed Timer would lose the periods it misses
    /// while a long native call (a TLS handshake) holds every managed thread.
    /// </summary>
    public sealed class DeviceClock : IClock
    {
        public const int FirstValidYear = 2025;

        public long MonotonicMilliseconds
        {
            get { return Environment.TickCount64; }
        }

        public bool TryGetUtcNow(out DateTime utcNow)
        {
            utcNow = DateTime.UtcNow;
            return utcNow.Year >= FirstValidYear;
        }

        public void Sleep(int milliseconds)
        {
            Thread.Sleep(milliseconds);
        }
    }

    /// <summary>Randomness from System.Random (whether the firmware seeds it from the ESP32's hardware RNG is to be checked on a board).</summary>
    public sealed class DeviceRandom : IRandom
    {
        private readonly Random _random = new Random();

        public void NextBytes(byte[] buffer, int offset, int count)
        {
            lock (_random)
            {
                for (int i = 0; i < count; i++)
                {
                    buffer[offset + i] = (byte)_random.Next(256);
                }
            }
        }

        public int Next(int maxExclusive)
        {
            lock (_random)
            {
                return _random.Next(maxExclusive);
            }
        }
    }

    /// <summary>Log lines to the debug output (Visual Studio's Output window, or the serial console).</summary>
    public sealed class DebugLog : ILog
    {
        public void Write(LogLevel level, string line)
        {
            Console.WriteLine(level == LogLevel.Error ? "error: " + line : level == LogLevel.Warning ? "warning: " + line : line);
        }
    }
}
