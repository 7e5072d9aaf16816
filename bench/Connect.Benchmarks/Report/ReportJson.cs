using System.Text.Json;

namespace Connect.Benchmarks.Report;

/// <summary>Writes docs/contract/bench.md's JSON object, key for key, and checks a written file against that shape.</summary>
internal static class ReportJson
{
    private static readonly string[] MachineKeys = ["cores", "cpu", "postgres", "dotnet"];
    private static readonly string[] RunKeys =
    [
        "concurrency", "seconds", "requests", "errors", "rps", "p50_ms", "p90_ms", "p99_ms", "max_ms",
        "cpu_us_per_request", "db_round_trips_per_request", "commits_per_request", "revoked",
    ];
    private static readonly string[] MicroKeys =
        ["jwt_validate_us", "rsa_verify_us", "body_sha256_us", "dispatch_us", "token_sign_us", "refresh_token_read_us"];

    public static void Write(BenchReport report, Stream stream)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteNumber("version", BenchReport.Version);
        json.WriteBoolean("quick", report.Quick);
        json.WriteBoolean("durable", report.Durable);

        json.WriteStartObject("machine");
        json.WriteNumber("cores", report.Machine.Cores);
        json.WriteString("cpu", report.Machine.Cpu);
        json.WriteString("postgres", report.Machine.Postgres);
        json.WriteString("dotnet", report.Machine.Dotnet);
        json.WriteEndObject();

        json.WriteStartObject("runs");
        foreach (var name in BenchReport.RunNames)
        {
            WriteRun(json, name, report.Runs[name]);
        }

        json.WritePropertyName("pgbench_statements");
        if (report.PgbenchStatements is { } statements)
        {
            json.WriteStartObject();
            Number(json, "tps", Math.Round(statements.Tps, 1));
            json.WriteNumber("statements", statements.Statements);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNullValue();
        }

        json.WritePropertyName("pgbench_single");
        if (report.PgbenchSingle is { } single)
        {
            json.WriteStartObject();
            Number(json, "tps", Math.Round(single.Tps, 1));
            json.WriteEndObject();
        }
        else
        {
            json.WriteNullValue();
        }

        json.WriteEndObject();

        json.WriteStartObject("micro");
        Number(json, "jwt_validate_us", report.JwtValidateUs);
        Number(json, "rsa_verify_us", report.RsaVerifyUs);
        Number(json, "body_sha256_us", report.BodySha256Us);
        Number(json, "dispatch_us", report.DispatchUs);
        Number(json, "token_sign_us", report.TokenSignUs);
        Number(json, "refresh_token_read_us", report.RefreshTokenReadUs);
        json.WriteEndObject();

        json.WriteStartObject("ratios");
        foreach (var ratio in report.Ratios())
        {
            Number(json, ratio.Name, ratio.Value);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteRun(Utf8JsonWriter json, string name, RunReport? run)
    {
        json.WritePropertyName(name);
        if (run is null)
        {
            json.WriteNullValue();
            return;
        }

        json.WriteStartObject();
        json.WriteNumber("concurrency", run.Concurrency);
        json.WriteNumber("seconds", Math.Round(run.Seconds, 2));
        json.WriteNumber("requests", run.Requests);
        json.WriteNumber("errors", run.Errors);
        json.WriteNumber("rps", Math.Round(run.Rps, 1));
        json.WriteNumber("p50_ms", Math.Round(run.P50Ms, 3));
        json.WriteNumber("p90_ms", Math.Round(run.P90Ms, 3));
        json.WriteNumber("p99_ms", Math.Round(run.P99Ms, 3));
        json.WriteNumber("max_ms", Math.Round(run.MaxMs, 3));
        json.WriteStartObject("cpu_us_per_request");
        Number(json, "service", Round(run.ServiceCpuUsPerRequest, 1));
        Number(json, "postgres", Round(run.PostgresCpuUsPerRequest, 1));
        json.WriteEndObject();
        Number(json, "db_round_trips_per_request", Round(run.DbRoundTripsPerRequest, 2));
        Number(json, "commits_per_request", Round(run.CommitsPerRequest, 2));
        json.WriteNumber("revoked", run.Revoked);
        if (run.TargetRps is { } target)
        {
            json.WriteNumber("target_rps", Math.Round(target, 1));
        }

        json.WriteEndObject();
    }

    private static double? Round(double? value, int digits) => value is { } v ? Math.Round(v, digits) : null;

    private static void Number(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } number && double.IsFinite(number))
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    /// <summary>
    /// CI's smoke check of a written file: every key of docs/contract/bench.md present with a value of the right kind, every
    /// run with at least one request answered as expected. Errors fail a full run; in a quick run they are
    /// reported and fail only when every request of a run failed.
    /// </summary>
    public static List<string> Check(string file)
    {
        var problems = new List<string>();
        using var document = JsonDocument.Parse(File.ReadAllBytes(file));
        var root = document.RootElement;

        JsonElement? Member(JsonElement owner, string name, string path, JsonValueKind kind)
        {
            if (owner.ValueKind != JsonValueKind.Object || !owner.TryGetProperty(name, out var value))
            {
                problems.Add($"{path}{name}: missing");
                return null;
            }

            if (value.ValueKind != kind)
            {
                problems.Add($"{path}{name}: {value.ValueKind}, expected {kind}");
                return null;
            }

            return value;
        }

        if (Member(root, "version", "", JsonValueKind.Number) is { } version
            && (!version.TryGetInt32(out var number) || number != BenchReport.Version))
        {
            problems.Add($"version: {version.GetRawText()}, expected {BenchReport.Version} (docs/contract/bench.md's current version)");
        }

        var quick = root.TryGetProperty("quick", out var quickValue) && quickValue.ValueKind == JsonValueKind.True;
        foreach (var flag in new[] { "quick", "durable" })
        {
            if (!root.TryGetProperty(flag, out var value) || value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                problems.Add($"{flag}: missing or not a boolean");
            }
        }

        if (Member(root, "machine", "", JsonValueKind.Object) is { } machine)
        {
            Member(machine, "cores", "machine.", JsonValueKind.Number);
            foreach (var key in MachineKeys.Skip(1))
            {
                Member(machine, key, "machine.", JsonValueKind.String);
            }
        }

        if (Member(root, "runs", "", JsonValueKind.Object) is { } runs)
        {
            foreach (var name in BenchReport.RunNames)
            {
                if (Member(runs, name, "runs.", JsonValueKind.Object) is not { } run)
                {
                    continue;
                }

                var path = $"runs.{name}.";
                foreach (var key in RunKeys.Where(key => key != "cpu_us_per_request"))
                {
                    Member(run, key, path, JsonValueKind.Number);
                }

                if (Member(run, "cpu_us_per_request", path, JsonValueKind.Object) is { } cpu)
                {
                    Member(cpu, "service", path + "cpu_us_per_request.", JsonValueKind.Number);
                    Member(cpu, "postgres", path + "cpu_us_per_request.", JsonValueKind.Number);
                }

                if (BenchReport.OpenModelRunNames.Contains(name))
                {
                    Member(run, "target_rps", path, JsonValueKind.Number);
                }

                if (run.TryGetProperty("requests", out var requests) && requests.ValueKind == JsonValueKind.Number
                    && run.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Number)
                {
                    var answered = requests.GetInt64() - errors.GetInt64();
                    if (answered <= 0)
                    {
                        problems.Add($"runs.{name}: no request was answered as expected ({requests.GetInt64()} sent, {errors.GetInt64()} errors)");
                    }
                    else if (errors.GetInt64() > 0 && !quick)
                    {
                        problems.Add($"runs.{name}: {errors.GetInt64()} errors");
                    }
                }
            }

            if (Member(runs, "pgbench_statements", "runs.", JsonValueKind.Object) is { } statements)
            {
                Member(statements, "tps", "runs.pgbench_statements.", JsonValueKind.Number);
                Member(statements, "statements", "runs.pgbench_statements.", JsonValueKind.Number);
            }

            if (Member(runs, "pgbench_single", "runs.", JsonValueKind.Object) is { } single)
            {
                Member(single, "tps", "runs.pgbench_single.", JsonValueKind.Number);
            }
        }

        if (Member(root, "micro", "", JsonValueKind.Object) is { } micro)
        {
            foreach (var key in MicroKeys)
            {
                Member(micro, key, "micro.", JsonValueKind.Number);
            }
        }

        if (Member(root, "ratios", "", JsonValueKind.Object) is { } ratios)
        {
            foreach (var key in new BenchReport { Quick = quick, Durable = false, Machine = new(0, "", "", "") }.Ratios().Select(r => r.Name))
            {
                Member(ratios, key, "ratios.", JsonValueKind.Number);
            }
        }

        return problems;
    }
}
