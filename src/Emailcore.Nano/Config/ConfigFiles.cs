using Emailcore.Nano.Platform;

namespace Emailcore.Nano.Config
{
    /// <summary>Files that main.cf names (aliases, maps, users, certificates), read whole through the file system seam.</summary>
    public static class ConfigFiles
    {
        /// <summary>The largest file read, in bytes: a file is read whole, so its size is what it costs in memory.</summary>
        public const int SizeLimit = 1048576;

        /// <summary>The file's bytes; a file that cannot be read, or is larger than <see cref="SizeLimit"/>, is a <see cref="ConfigException"/> naming it.</summary>
        public static byte[] Read(IFileSystem files, string path)
        {
            int slash = path.LastIndexOf('/');
            string directory = slash < 0 ? "." : (slash == 0 ? "/" : path.Substring(0, slash));
            string name = path.Substring(slash + 1);
            try
            {
                IStoreFile file = files.OpenStore(directory).Open(name);
                try
                {
                    if (file.Length > SizeLimit)
                    {
                        throw new ConfigException(path, 0, "the file has " + file.Length.ToString() + " bytes, more than the " + SizeLimit.ToString() + " a configuration file may have");
                    }

                    byte[] content = new byte[(int)file.Length];
                    int read = 0;
                    while (read < content.Length)
                    {
                        int n = file.Read(read, content, read, content.Length - read);
                        if (n <= 0)
                        {
                            break;
                        }

                        read += n;
                    }

                    return content;
                }
                finally
                {
                    file.Close();
                }
            }
            catch (StoreException e)
            {
                throw new ConfigException(path, 0, "cannot read: " + e.Message);
            }
        }
    }
}
