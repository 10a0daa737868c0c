namespace Emailcore.Nano.Config
{
    /// <summary>
    /// One main.cf parameter: its name, the form of its value, and its defaults on the host and on a board.
    /// Kept small because a board holds some ninety of them and every field of an object is a 12-byte heap block
    /// there: the index and the kind share one field, and only <see cref="ChoiceParameter"/>s carry a list of words.
    /// </summary>
    public class Parameter
    {
        private const int KindBits = 8;

        private readonly int _indexAndKind;

        public Parameter(int index, string name, ParameterKind kind, string hostDefault, string boardDefault)
        {
            _indexAndKind = (index << KindBits) | (int)kind;
            Name = name;
            HostDefault = hostDefault;
            BoardDefault = boardDefault;
        }

        /// <summary>Position in <see cref="Parameters"/>; a configuration keeps its values by it.</summary>
        public int Index
        {
            get { return _indexAndKind >> KindBits; }
        }

        public string Name { get; }

        public ParameterKind Kind
        {
            get { return (ParameterKind)(_indexAndKind & ((1 << KindBits) - 1)); }
        }

        public string HostDefault { get; }

        /// <summary>Null for a parameter of the host program only (<see cref="Parameters.DefineHostOnly"/>).</summary>
        public string BoardDefault { get; }

        /// <summary>For <see cref="ParameterKind.Choice"/>: the allowed words, separated by '|'; null for the other kinds.</summary>
        public virtual string Choices
        {
            get { return null; }
        }
    }

    /// <summary>A <see cref="ParameterKind.Choice"/> parameter and its allowed words.</summary>
    public sealed class ChoiceParameter : Parameter
    {
        private readonly string _choices;

        public ChoiceParameter(int index, string name, ParameterKind kind, string hostDefault, string boardDefault, string choices)
            : base(index, name, kind, hostDefault, boardDefault)
        {
            _choices = choices;
        }

        public override string Choices
        {
            get { return _choices; }
        }
    }
}
