// Shims for the device tests: signatures from nanoframework/nanoFramework.TestFramework@d4fa55eb,
// source/TestFrameworkShared/{TestClassAttribute,TestMethodAttribute,SetupAttribute,CleanupAttribute}.cs,
// source/TestFramework/Assert.cs and OutputHelper.cs (the CallerArgumentExpression defaults shown as plain defaults).
namespace nanoFramework.TestFramework
{
    [System.AttributeUsage(System.AttributeTargets.Class)]
    public sealed class TestClassAttribute : System.Attribute
    {
    }

    [System.AttributeUsage(System.AttributeTargets.Method)]
    public sealed class TestMethodAttribute : System.Attribute
    {
    }

    [System.AttributeUsage(System.AttributeTargets.Method)]
    public sealed class SetupAttribute : System.Attribute
    {
    }

    [System.AttributeUsage(System.AttributeTargets.Method)]
    public sealed class CleanupAttribute : System.Attribute
    {
    }

    public static class Assert
    {
        public static void IsTrue(bool condition, string message = "") => throw null;

        public static void IsFalse(bool condition, string message = "") => throw null;

        public static void AreEqual(bool expected, bool actual, string message = "") => throw null;

        public static void AreEqual(int expected, int actual, string message = "") => throw null;

        public static void AreEqual(string expected, string actual, string message = "") => throw null;

        public static void IsNotNull(object value, string message = "") => throw null;
    }

    public static class OutputHelper
    {
        public static void WriteLine(string message) => throw null;
    }
}
