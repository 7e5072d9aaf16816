namespace Connect.Cli.Database;

/// <summary>
/// The key-encryption key of the embedded default database: <c>.data/signing-keys.kek</c>, one base64 line, mode
/// 600. Created on first need and reused after; never printed. A configured database takes its KEK from
/// configuration instead (<c>Connect:SigningKeys:KeyEncryptionKey</c>).
/// </summary>
internal static class EmbeddedKeyEncryptionKey
{
    public const string FileName = "signing-keys.kek";

    /// <returns>The KEK in configuration form (base64).</returns>
    /// <exception cref="IOException">The file cannot be read or written, or others can read it; the message says which.</exception>
    public static string LoadOrCreate(string dataFolder)
    {
        var path = Path.Combine(dataFolder, FileName);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(dataFolder);
            Create(path);
        }

        if (!OperatingSystem.IsWindows()
            && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            throw new IOException($"the key-encryption key file {path} is readable or writable by others; run chmod 600 on it");
        }

        return File.ReadAllText(path, Encoding.ASCII).Trim();
    }

    private static void Create(string path)
    {
        // Written whole to a private temporary file (mode 600 from its creation, never briefly readable by others),
        // then linked into place only if no file is there yet: two commands starting at once agree on one KEK.
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var writer = new StreamWriter(temporary, Encoding.ASCII, options))
            {
                writer.WriteLine(SigningKeyEncryption.NewKeyEncryptionKey());
            }

            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another command created it first: use theirs.
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
