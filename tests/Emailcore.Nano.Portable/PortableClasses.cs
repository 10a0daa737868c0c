#nullable disable

namespace Emailcore.Nano.Tests.Portable
{
    /// <summary>Every portable test class, in the order the interpreter runs them.</summary>
    public static class PortableClasses
    {
        public static Registration[] All()
        {
            return new Registration[]
            {
                SessionCases.Register,
                ReplyCases.Register,
                AddressCases.Register,
                CryptoCases.Register,
                SpoolCases.Register,
            };
        }
    }
}
