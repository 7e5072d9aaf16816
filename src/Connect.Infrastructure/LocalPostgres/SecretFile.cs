namespace Connect.Infrastructure.LocalPostgres;

/// <summary>A one-line secret (a password) in a file only this process's user may read: mode 600.</summary>
internal static class SecretFile
{
    /// <summary>Writes <paramref name="content"/>, replacing any older file (whose mode may have been looser).</summary>
    public static void Write(string path, string content)
    {
        File.Delete(path);
        Create(path, content);
    }

    /// <summary>Writes <paramref name="content"/> unless the file exists; false if it did.</summary>
    public static bool TryCreate(string path, string content)
    {
        try
        {
            Create(path, content);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
    }

    public static string Read(string path) => File.ReadAllText(path).Trim();

    // CreateNew fails on any existing entry, a symbolic link included: the secret never goes where a link points.
    private static void Create(string path, string content)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var writer = new StreamWriter(path, Encoding.ASCII, options);
        writer.Write(content);
    }
}
