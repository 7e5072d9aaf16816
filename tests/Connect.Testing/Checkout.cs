namespace Connect.Testing;

/// <summary>
/// The checkout these tests were built in: the folder with <c>Connect.sln</c> above the test assembly, wherever it was
/// cloned (CI clones into a temporary folder), and the configuration the assembly was built in.
/// </summary>
public static class Checkout
{
    public static string Root { get; } = FindRoot();

    /// <summary><c>Release</c> or <c>Debug</c>: the test assembly sits in <c>.../bin/CONFIGURATION/net10.0/</c>.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory).Parent?.Name ?? "Debug";

    /// <summary>A path inside the checkout, e.g. <c>Checkout.PathOf("docs", "openapi.json")</c>.</summary>
    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Connect.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"no checkout (Connect.sln) above {AppContext.BaseDirectory}");
    }
}
