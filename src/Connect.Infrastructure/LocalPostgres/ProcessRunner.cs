using System.ComponentModel;
using System.Diagnostics;

namespace Connect.Infrastructure.LocalPostgres;

internal sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Last non-empty line of stderr (or stdout), for one-line error messages.</summary>
    public string Summary
    {
        get
        {
            var text = string.IsNullOrWhiteSpace(StandardError) ? StandardOutput : StandardError;
            return text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "(no output)";
        }
    }
}

/// <summary>Runs external programs with an argument list (never a shell string) and captures their output.</summary>
internal static class ProcessRunner
{
    public static Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        RunAsync(fileName, arguments, standardInput: null, cancellationToken);

    /// <summary>Runs the program with <paramref name="standardInput"/> (or nothing) on its standard input.</summary>
    public static async Task<ProcessResult> RunAsync(
        string fileName, IEnumerable<string> arguments, string? standardInput, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The postgres user may not be able to enter our current directory, and PostgreSQL tools fail then.
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new LocalPostgresException($"Could not run {fileName}: {e.Message}", e);
        }

        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput.AsMemory(), cancellationToken);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    public static async Task<ProcessResult> RunCheckedAsync(string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var list = arguments.ToList();
        var result = await RunAsync(fileName, list, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new LocalPostgresException(
                $"{Describe(fileName, list)} failed with exit code {result.ExitCode}: {result.Summary}");
        }

        return result;
    }

    private static string Describe(string fileName, List<string> arguments)
    {
        // Name the real tool, not the runuser wrapper around it.
        var separator = arguments.IndexOf("--");
        var tool = Path.GetFileName(fileName) == "runuser" && separator >= 0 && separator + 1 < arguments.Count
            ? arguments[separator + 1]
            : fileName;
        return Path.GetFileName(tool);
    }
}
