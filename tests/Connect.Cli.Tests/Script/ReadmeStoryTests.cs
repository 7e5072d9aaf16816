using System.Text.RegularExpressions;
using Connect.Application.SigningKeys;
using Connect.Testing.Postgres;

namespace Connect.Cli.Tests.Script;

/// <summary>
/// The README's curl examples, run as a newcomer runs them: every shell block marked
/// <c>&lt;!-- runs in ReadmeStoryTests --&gt;</c>, in order, in one bash, against the real <c>./connect up</c>, with
/// the real <c>./connect</c> and curl and openssl. Each <c># {...}</c> line under a command is what the README
/// promises it prints (<c>…</c> stands for anything); those lines must appear in the output, in their order. Only
/// the address changes: the service runs on a free port over a database of its own.
/// </summary>
public sealed partial class ReadmeStoryTests : IDisposable
{
    private const string ReadmeAddress = "http://127.0.0.1:5080";

    private readonly string _folder = Directory.CreateTempSubdirectory("connect-readme-story-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task The_README_curl_story_prints_what_the_README_says()
    {
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Connect"] = await PostgresServer.CreateMigratedDatabaseAsync(),
            ["Connect__SigningKeys__KeyEncryptionKey"] = SigningKeyEncryption.NewKeyEncryptionKey(),
            ["Urls"] = "http://127.0.0.1:0",
        };
        using var up = RunningService.Start(environment);
        var address = (await up.WaitUntilServingAsync()).ToString().TrimEnd('/');
        var blocks = MarkedBlocks(await File.ReadAllTextAsync(Path.Combine(ConnectScript.Root, "README.md")));
        File.CreateSymbolicLink(Path.Combine(_folder, "connect"), ConnectScript.Path);
        var script = Path.Combine(_folder, "story.sh");
        // In a folder of its own, as a newcomer's terminal: the keys it makes stay there, ./connect is the checkout's.
        var story = $"cd '{_folder}'\n" + string.Join('\n', blocks).Replace(ReadmeAddress, address, StringComparison.Ordinal);
        await File.WriteAllTextAsync(script, story);

        using var bash = ConnectScript.Start(environment, ["bash", "-eu", "-o", "pipefail", script], redirectInput: false);
        var stdout = bash.StandardOutput.ReadToEndAsync();
        var stderr = bash.StandardError.ReadToEndAsync();
        await bash.WaitForExitAsync();

        Assert.True(bash.ExitCode == 0, $"the README story failed ({bash.ExitCode}):\n{await stderr}\n{await stdout}");
        Assert.True(blocks.Count >= 3, "the README marks its runnable examples");
        AssertPrintedInOrder(Promised(blocks), (await stdout).Split('\n'));
    }

    /// <summary>The shell blocks that follow the marker, without their fences.</summary>
    private static List<string> MarkedBlocks(string readme)
    {
        var blocks = new List<string>();
        foreach (Match match in MarkedBlock().Matches(readme))
        {
            blocks.Add(match.Groups["code"].Value);
        }

        return blocks;
    }

    /// <summary>Every "# {" comment line: a JSON answer the README shows.</summary>
    private static List<string> Promised(IEnumerable<string> blocks) =>
        [.. blocks.SelectMany(b => b.Split('\n')).Where(l => l.StartsWith("# {", StringComparison.Ordinal)).Select(l => l[2..])];

    private static void AssertPrintedInOrder(List<string> promised, string[] printed)
    {
        var at = 0;
        foreach (var line in promised)
        {
            var pattern = new Regex("^" + string.Join(".*", line.Split('…').Select(Regex.Escape)) + "$", RegexOptions.None, TimeSpan.FromSeconds(1));
            while (at < printed.Length && !pattern.IsMatch(printed[at]))
            {
                at++;
            }

            Assert.True(at < printed.Length, $"the README promises '{line}', which was not printed (in order):\n{string.Join('\n', printed)}");
            at++;
        }
    }

    [GeneratedRegex(@"<!-- runs in ReadmeStoryTests -->\s*```sh\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex MarkedBlock();
}
