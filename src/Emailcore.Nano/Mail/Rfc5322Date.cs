using System;

namespace Emailcore.Nano.Mail
{
    /// <summary>RFC 5322 §3.3 date-time in UTC: "Sat, 28 Nov 2026 20:07:25 +0000".</summary>
    public static class Rfc5322Date
    {
        private static readonly string[] Days = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
        private static readonly string[] Months = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

        public static string Format(DateTime utc)
        {
            return Days[(int)utc.DayOfWeek] + ", " + utc.Day.ToString() + " " + Months[utc.Month - 1] + " " + utc.Year.ToString()
                + " " + Two(utc.Hour) + ":" + Two(utc.Minute) + ":" + Two(utc.Second) + " +0000";
        }

        private static string Two(int value)
        {
            return value < 10 ? "0" + value.ToString() : value.ToString();
        }
    }
}
