using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Perfolizer.Horology;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Connect.Benchmarks.Micro;

// Two ways in:
//   dotnet Connect.Benchmarks.Micro.dll [BenchmarkDotNet arguments]      a person exploring (BenchmarkSwitcher)
//   dotnet Connect.Benchmarks.Micro.dll --harness FILE [--quick]           ./connect bench: writes the means as JSON
//                                                                          (BenchmarkDotNet's files go beside FILE)
var harnessAt = Array.IndexOf(args, "--harness");
if (harnessAt < 0)
{
    BenchmarkSwitcher.FromAssembly(typeof(ClientJwtBenchmarks).Assembly).Run(args, Micro.Config(quick: false, artifacts: null));
    return 0;
}

if (harnessAt + 1 >= args.Length)
{
    await Console.Error.WriteLineAsync("micro: --harness needs a file to write");
    return 2;
}

var quick = args.Contains("--quick");
var artifacts = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(args[harnessAt + 1]))!, "BenchmarkDotNet.Artifacts");
var summaries = BenchmarkRunner.Run([typeof(ClientJwtBenchmarks), typeof(DispatchBenchmarks), typeof(SessionTokenBenchmarks)], Micro.Config(quick, artifacts));
var (means, errors) = Micro.Read(summaries);
await using (var file = File.Create(args[harnessAt + 1]))
await using (var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true }))
{
    json.WriteStartObject();
    foreach (var (key, mean) in means)
    {
        if (mean is { } microseconds)
        {
            json.WriteNumber(key, Math.Round(microseconds, 3));
        }
        else
        {
            json.WriteNull(key);
        }
    }

    json.WriteStartArray("errors");
    foreach (var error in errors)
    {
        json.WriteStringValue(error);
    }

    json.WriteEndArray();
    json.WriteEndObject();
}

return 0;

internal static class Micro
{
    /// <summary>The JSON key of each benchmark method, in docs/contract/bench.md's order (then the handler alone).</summary>
    private static readonly (string Method, string Key)[] Keys =
    [
        (nameof(ClientJwtBenchmarks.JwtValidate), "jwt_validate_us"),
        (nameof(ClientJwtBenchmarks.RsaVerify), "rsa_verify_us"),
        (nameof(ClientJwtBenchmarks.BodySha256), "body_sha256_us"),
        (nameof(DispatchBenchmarks.Dispatch), "dispatch_us"),
        (nameof(SessionTokenBenchmarks.TokenSign), "token_sign_us"),
        (nameof(SessionTokenBenchmarks.RefreshTokenRead), "refresh_token_read_us"),
        (nameof(DispatchBenchmarks.Handle), "handler_us"), // not in docs/contract/bench.md's JSON: printed and noted by the harness
    ];

    /// <summary>
    /// In process: no generated project to build (it would inherit the repository's warnings-as-errors build and
    /// can fail where this project builds), and no second runtime start per benchmark. Quick: a short job.
    /// </summary>
    public static IConfig Config(bool quick, string? artifacts)
    {
        // Quick (CI's smoke run): few, short iterations; a figure to see that it works, not to compare.
        var job = (quick ? Job.ShortRun.WithIterationTime(TimeInterval.FromMilliseconds(100)) : Job.Default)
            .WithToolchain(InProcessEmitToolchain.Instance);
        var config = ManualConfig.CreateMinimumViable().AddJob(job).WithOptions(ConfigOptions.DisableLogFile);
        return artifacts is null ? config : config.WithArtifactsPath(artifacts);
    }

    /// <summary>
    /// BenchmarkDotNet exits normally even when a benchmark failed to build, threw, or measured nothing: every
    /// missing or unusable mean is reported as null with a line that says why, never as a number.
    /// </summary>
    public static (List<(string Key, double? Microseconds)> Means, List<string> Errors) Read(Summary[] summaries)
    {
        var errors = new List<string>();
        foreach (var validation in summaries.SelectMany(summary => summary.ValidationErrors).Where(error => error.IsCritical))
        {
            errors.Add($"validation: {validation.Message}");
        }

        var reports = summaries.SelectMany(summary => summary.Reports).ToList();
        var means = new List<(string, double?)>();
        foreach (var (method, key) in Keys)
        {
            var report = reports.FirstOrDefault(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method);
            string? problem = report switch
            {
                null => "no report (the benchmark did not run)",
                { BuildResult.IsBuildSuccess: false } => $"build failed: {report.BuildResult.ErrorMessage}",
                { Success: false } => "the benchmark failed (see its output above)",
                { ResultStatistics: null } => "no measurements",
                _ when double.IsNaN(report.ResultStatistics.Mean) || report.ResultStatistics.Mean <= 0 => "no usable mean",
                _ => null,
            };
            if (problem is not null)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{key}: {problem}"));
                means.Add((key, null));
                continue;
            }

            // BenchmarkDotNet reports nanoseconds.
            means.Add((key, report!.ResultStatistics!.Mean / 1000.0));
        }

        return (means, errors);
    }
}
