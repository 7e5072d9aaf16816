namespace Connect.Benchmarks;

/// <summary>Where the built programs the harness starts are: beside this one, in the same configuration.</summary>
internal sealed record Paths(string Root, string Configuration)
{
    public string HarnessDll => Path.Combine(AppContext.BaseDirectory, "Connect.Benchmarks.dll");

    public string ServiceDll => Path.Combine(Root, "src", "Connect.Api", "bin", Configuration, "net10.0", "Connect.Api.dll");

    public string MicroDll => Path.Combine(Root, "bench", "Connect.Benchmarks.Micro", "bin", Configuration, "net10.0", "Connect.Benchmarks.Micro.dll");

    /// <summary><c>./connect</c> exports CONNECT_ROOT; otherwise the folder above this build that holds Connect.sln.</summary>
    public static Paths Find()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        // .../bench/Connect.Benchmarks/bin/<Configuration>/net10.0/
        var configuration = here.Parent?.Name ?? "Release";
        var root = Environment.GetEnvironmentVariable("CONNECT_ROOT");
        for (var folder = here; string.IsNullOrEmpty(root) && folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Connect.sln")))
            {
                root = folder.FullName;
            }
        }

        return new Paths(root ?? Environment.CurrentDirectory, configuration);
    }
}
