namespace Connect.Cli.Administration;

/// <summary>Reads the PEM file an operator names; whether it holds an acceptable key is the Application's call.</summary>
internal static class PublicKeyFile
{
    /// <summary>A public-key PEM is well under 2 KiB; the bound keeps a wrong path (a log, /dev/zero) harmless.</summary>
    public const int MaxBytes = 64 * 1024;

    public static bool TryRead(string path, [NotNullWhen(true)] out string? pem, [NotNullWhen(false)] out string? problem)
    {
        pem = null;
        if (Directory.Exists(path))
        {
            problem = $"cannot read the public key file '{path}': it is a directory";
            return false;
        }

        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var buffer = new byte[MaxBytes + 1];
            var length = file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (length > MaxBytes)
            {
                problem = $"cannot read the public key file '{path}': it is larger than {MaxBytes / 1024} KiB";
                return false;
            }

            pem = Encoding.UTF8.GetString(buffer, 0, length);
            problem = null;
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException)
        {
            problem = $"cannot read the public key file '{path}': {Reason(exception)}";
            return false;
        }
    }

    private static string Reason(Exception exception) => exception switch
    {
        FileNotFoundException or DirectoryNotFoundException => "no such file",
        UnauthorizedAccessException => "permission denied",
        ArgumentException => "not a valid path",
        _ => exception.Message,
    };
}
