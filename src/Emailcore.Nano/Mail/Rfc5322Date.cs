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

        /// <summary>"14:02 UTC" when <paramref name="utc"/> falls on the day of <paramref name="now"/>, else "27 Nov 14:02 UTC".</summary>
        public static string TimeOfDay(DateTime utc, DateTime now)
        {
            string time = Two(utc.Hour) + ":" + Two(utc.Minute) + " UTC";
            return utc.Date == now.Date ? time : utc.Day.ToString() + " " + Months[utc.Month - 1] + " " + time;
        }

        private static string Two(int value)
        {
            return value < 10 ? "0" + value.ToString() : value.ToString();
        }
    }
}
