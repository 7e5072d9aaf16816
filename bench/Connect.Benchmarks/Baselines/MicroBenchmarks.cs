using System.Text.Json;
using Connect.Infrastructure.Processes;

namespace Connect.Benchmarks.Baselines;

internal sealed record MicroResults(
    double? JwtValidateUs, double? RsaVerifyUs, double? BodySha256Us, double? DispatchUs, double? TokenSignUs, double? RefreshTokenReadUs,
    double? HandlerUs, IReadOnlyList<string> Errors)
{
    public static MicroResults Failed(IReadOnlyList<string> errors) => new(null, null, null, null, null, null, null, errors);
}

/// <summary>
/// Runs the BenchmarkDotNet project (bench/Connect.Benchmarks.Micro) in a process of its own and reads back the
/// means it wrote. BenchmarkDotNet exits 0 even when a benchmark failed: a missing or null mean stays null here,
/// with the reason as an error line, and is never replaced by a number.
/// </summary>
internal static class MicroBenchmarks
{
    public static async Task<MicroResults> RunAsync(string dll, bool quick, string workDirectory, CancellationToken cancellationToken)
    {
        var output = Path.Combine(workDirectory, "micro.json");
        var log = Path.Combine(workDirectory, "micro.log");
        var errors = new List<string>();
        if (!File.Exists(dll))
        {
            return MicroResults.Failed([$"micro: {dll} is missing (was bench/Connect.Benchmarks.Micro built?)"]);
        }

        var micro = new ProgramCommand("dotnet", quick ? [dll, "--harness", output, "--quick"] : [dll, "--harness", output])
        {
            WorkingDirectory = workDirectory,
        };
        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync(micro, cancellationToken);
        await File.WriteAllTextAsync(log, stdout + stderr, cancellationToken);
        if (exitCode != 0)
        {
            errors.Add($"micro: the benchmark process exited with {exitCode}; see {log}");
        }

        if (!File.Exists(output))
        {
            errors.Add($"micro: no results were written; see {log}");
            return MicroResults.Failed(errors);
        }

        using var json = JsonDocument.Parse(await File.ReadAllBytesAsync(output, cancellationToken));
        var root = json.RootElement;
        if (root.TryGetProperty("errors", out var reported))
        {
            errors.AddRange(reported.EnumerateArray().Select(error => $"micro: {error.GetString()} (see {log})"));
        }

        double? Mean(string key) => root.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
        return new MicroResults(
            Mean("jwt_validate_us"), Mean("rsa_verify_us"), Mean("body_sha256_us"), Mean("dispatch_us"), Mean("token_sign_us"),
            Mean("refresh_token_read_us"), Mean("handler_us"), errors);
    }
}
