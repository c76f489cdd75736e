namespace Dstack.Tests;

/// <summary>Locates the repository root and the <c>../shared</c> folder (specs, fixtures) beside it.</summary>
internal static class SharedFiles
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    /// <summary>The folder that holds <c>DstackAgent.sln</c>.</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>The <c>shared/</c> folder beside the repository.</summary>
    public static string SharedDirectory => Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));

    /// <summary>Full path of a file in <c>shared/fixtures/</c>.</summary>
    public static string Fixture(string name) => Path.Combine(SharedDirectory, "fixtures", name);

    /// <summary>Full path of a file in <c>shared/spec/</c>.</summary>
    public static string Spec(string name) => Path.Combine(SharedDirectory, "spec", name);

    /// <summary>Reads a fixture's bytes.</summary>
    public static byte[] ReadFixture(string name) => File.ReadAllBytes(Fixture(name));

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DstackAgent.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("DstackAgent.sln not found above " + AppContext.BaseDirectory);
    }
}
