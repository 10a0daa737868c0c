#nullable disable

namespace Emailcore.Nano.Tests.Support
{
    /// <summary>Min and max: nanoFramework keeps System.Math in a package of its own, which the core does not use.</summary>
    public static class Numbers
    {
        public static int Min(int a, int b)
        {
            return a < b ? a : b;
        }

        public static int Max(int a, int b)
        {
            return a > b ? a : b;
        }

        public static long Min(long a, long b)
        {
            return a < b ? a : b;
        }

        public static long Max(long a, long b)
        {
            return a > b ? a : b;
        }
    }

    /// <summary>UTC dates built the same way on both runtimes (nanoFramework has no DateTimeKind constructor overloads beyond ticks).</summary>
    public static class Utc
    {
        public static System.DateTime At(int year, int month, int day, int hour, int minute, int second)
        {
            return new System.DateTime(new System.DateTime(year, month, day, hour, minute, second).Ticks, System.DateTimeKind.Utc);
        }
    }
}
