namespace RealHost.Tests;

/// <summary>A folder of its own under the system temp folder, deleted with everything in it on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("realhost-tests-");

    public string Path => folder.FullName;

    /// <summary>Writes <paramref name="text"/> to <paramref name="relativePath"/>, creating its folders; returns the full path.</summary>
    public string Write(string relativePath, string text)
    {
        var file = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
        return file;
    }

    public void Dispose() => folder.Delete(recursive: true);
}
