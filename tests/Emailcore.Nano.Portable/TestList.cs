#nullable disable
using System.Collections;

namespace Emailcore.Nano.Tests.Portable
{
    /// <summary>One test: throws <see cref="CheckFailed"/> (or anything else) to fail.</summary>
    public delegate void TestBody();

    /// <summary>Adds a class's tests to a list; every portable test class has one <c>Register</c> of this shape.</summary>
    public delegate void Registration(TestList tests);

    /// <summary>
    /// The tests of one portable class, by name. xunit runs each as a case of one theory per class
    /// (tests/Emailcore.Nano.Tests/Portable), the interpreter program runs them all (tests/Emailcore.Nano.Interpreter).
    /// </summary>
    public sealed class TestList
    {
        private readonly ArrayList _names = new ArrayList();
        private readonly ArrayList _bodies = new ArrayList();

        public int Count
        {
            get { return _names.Count; }
        }

        public void Add(string name, TestBody body)
        {
            if (_names.IndexOf(name) >= 0)
            {
                throw new System.ArgumentException("two tests named " + name);
            }

            _names.Add(name);
            _bodies.Add(body);
        }

        public string Name(int index)
        {
            return (string)_names[index];
        }

        public TestBody Body(int index)
        {
            return (TestBody)_bodies[index];
        }

        public static TestList Of(Registration registration)
        {
            var list = new TestList();
            registration(list);
            return list;
        }

        /// <summary>Runs the named test; throws what it throws.</summary>
        public void Run(string name)
        {
            int index = _names.IndexOf(name);
            if (index < 0)
            {
                throw new CheckFailed("no test named " + name);
            }

            Body(index)();
        }
    }
}
