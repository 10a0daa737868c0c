namespace Emailcore.Nano.Platform
{
    public enum LogLevel
    {
        Debug = 0,
        Info = 1,
        Warning = 2,
        Error = 3,
    }

    /// <summary>Where one-line events go (Postfix maillog shape). Callers never pass secrets.</summary>
    public interface ILog
    {
        void Write(LogLevel level, string line);
    }
}
