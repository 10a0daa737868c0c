using System.Collections.Generic;
using Emailcore.Nano.Tests.Portable;
using Xunit;

namespace Emailcore.Nano.Tests.PortableCases
{
    /// <summary>
    /// The portable tests (tests/Emailcore.Nano.Portable) under xunit: one theory per portable class, one case
    /// per test. The interpreter program runs the same bodies on nanoFramework (tools/test.sh, "interpreter:").
    /// </summary>
    public sealed class PortableTests
    {
        public static IEnumerable<object[]> Session() => Names(SessionCases.Register);

        [Theory]
        [MemberData(nameof(Session))]
        public void SessionCase(string name) => TestList.Of(SessionCases.Register).Run(name);

        public static IEnumerable<object[]> Reply() => Names(ReplyCases.Register);

        [Theory]
        [MemberData(nameof(Reply))]
        public void ReplyCase(string name) => TestList.Of(ReplyCases.Register).Run(name);

        public static IEnumerable<object[]> Address() => Names(AddressCases.Register);

        [Theory]
        [MemberData(nameof(Address))]
        public void AddressCase(string name) => TestList.Of(AddressCases.Register).Run(name);

        public static IEnumerable<object[]> Crypto() => Names(CryptoCases.Register);

        [Theory]
        [MemberData(nameof(Crypto))]
        public void CryptoCase(string name) => TestList.Of(CryptoCases.Register).Run(name);

        public static IEnumerable<object[]> Spool() => Names(SpoolCases.Register);

        [Theory]
        [MemberData(nameof(Spool))]
        public void SpoolCase(string name) => TestList.Of(SpoolCases.Register).Run(name);


        private static IEnumerable<object[]> Names(Registration registration)
        {
            TestList tests = TestList.Of(registration);
            for (int i = 0; i < tests.Count; i++)
            {
                yield return new object[] { tests.Name(i) };
            }
        }
    }
}
