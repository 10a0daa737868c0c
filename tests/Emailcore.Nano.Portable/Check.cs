#nullable disable
using System;

namespace Emailcore.Nano.Tests.Portable
{
    /// <summary>A failed check: the test's one reason, in words.</summary>
    public sealed class CheckFailed : Exception
    {
        public CheckFailed(string message) : base(message)
        {
        }
    }

    /// <summary>
    /// Assertions for tests that run both under xunit and on the nanoFramework interpreter: mscorlib only,
    /// no generics, text shown with CR and LF made visible.
    /// </summary>
    public static class Check
    {
        public static void True(bool condition, string what)
        {
            if (!condition)
            {
                throw new CheckFailed(what);
            }
        }

        public static void False(bool condition, string what)
        {
            True(!condition, what);
        }

        public static void Equal(string expected, string actual)
        {
            if (expected != actual)
            {
                throw new CheckFailed("expected \"" + Show(expected) + "\", got \"" + Show(actual) + "\"");
            }
        }

        public static void Equal(long expected, long actual)
        {
            if (expected != actual)
            {
                throw new CheckFailed("expected " + expected.ToString() + ", got " + actual.ToString());
            }
        }

        public static void Equal(long expected, long actual, string what)
        {
            if (expected != actual)
            {
                throw new CheckFailed(what + ": expected " + expected.ToString() + ", got " + actual.ToString());
            }
        }

        public static void Equal(byte[] expected, byte[] actual)
        {
            if (expected.Length != actual.Length)
            {
                throw new CheckFailed("expected " + expected.Length.ToString() + " bytes, got " + actual.Length.ToString());
            }

            for (int i = 0; i < expected.Length; i++)
            {
                if (expected[i] != actual[i])
                {
                    throw new CheckFailed("bytes differ at offset " + i.ToString());
                }
            }
        }

        public static void Contains(string part, string whole)
        {
            if (whole == null || whole.IndexOf(part) < 0)
            {
                throw new CheckFailed("\"" + Show(part) + "\" not found in \"" + Show(whole) + "\"");
            }
        }

        public static void DoesNotContain(string part, string whole)
        {
            if (whole != null && whole.IndexOf(part) >= 0)
            {
                throw new CheckFailed("\"" + Show(part) + "\" unexpectedly found in \"" + Show(whole) + "\"");
            }
        }

        public static void StartsWith(string start, string whole)
        {
            if (whole == null || !whole.StartsWith(start))
            {
                throw new CheckFailed("\"" + Show(whole) + "\" does not start with \"" + Show(start) + "\"");
            }
        }

        public static void EndsWith(string end, string whole)
        {
            if (whole == null || !whole.EndsWith(end))
            {
                throw new CheckFailed("\"" + Show(whole) + "\" does not end with \"" + Show(end) + "\"");
            }
        }

        /// <summary>Runs <paramref name="body"/> and checks that it throws exactly <paramref name="type"/>.</summary>
        public static void Throws(Type type, TestBody body)
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                if (e.GetType() != type)
                {
                    throw new CheckFailed("expected " + type.Name + ", got " + e.GetType().Name + ": " + e.Message);
                }

                return;
            }

            throw new CheckFailed("expected " + type.Name + ", nothing was thrown");
        }

        /// <summary>The text with CR, LF and tabs visible; long text cut in the middle.</summary>
        public static string Show(string text)
        {
            if (text == null)
            {
                return "(null)";
            }

            string shown = "";
            int start = 0;
            for (int i = 0; i < text.Length; i++)
            {
                string escape = text[i] == '\r' ? "\\r" : text[i] == '\n' ? "\\n" : text[i] == '\t' ? "\\t" : null;
                if (escape != null)
                {
                    shown += text.Substring(start, i - start) + escape;
                    start = i + 1;
                }
            }

            shown += text.Substring(start);
            return shown.Length <= 600 ? shown : shown.Substring(0, 300) + " ... " + shown.Substring(shown.Length - 300);
        }
    }
}
