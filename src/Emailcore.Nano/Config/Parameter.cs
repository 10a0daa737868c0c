namespace Emailcore.Nano.Config
{
    /// <summary>One main.cf parameter: its name, the form of its value, and its defaults on the host and on a board.</summary>
    public sealed class Parameter
    {
        public Parameter(int index, string name, ParameterKind kind, string hostDefault, string boardDefault, string choices)
        {
            Index = index;
            Name = name;
            Kind = kind;
            HostDefault = hostDefault;
            BoardDefault = boardDefault;
            Choices = choices;
        }

        /// <summary>Position in <see cref="Parameters"/>; a configuration keeps its values by it.</summary>
        public int Index { get; }

        public string Name { get; }

        public ParameterKind Kind { get; }

        public string HostDefault { get; }

        /// <summary>Null for a parameter of the host program only (<see cref="Parameters.DefineHostOnly"/>).</summary>
        public string BoardDefault { get; }

        /// <summary>For <see cref="ParameterKind.Choice"/>: the allowed words, separated by '|'.</summary>
        public string Choices { get; }
    }
}
