namespace Micro.Commands.Verbs;

/// <summary>The shell's history: the last 500 lines, kept in the user's data folder between sessions.</summary>
internal sealed class ShellHistory
{
    private const int Keep = 500;
    private readonly string _path = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "micro", "history");

    public ShellHistory()
    {
        try
        {
            if (File.Exists(_path))
            {
                Lines.AddRange(File.ReadLines(_path).TakeLast(Keep));
            }
        }
        catch (IOException)
        {
            // no history is fine
        }
    }

    public List<string> Lines { get; } = [];

    public void Add(string line)
    {
        if (Lines.Count > 0 && Lines[^1] == line)
        {
            return;
        }

        Lines.Add(line);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            File.AppendAllLines(_path, [line]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // a read-only home keeps history for this session only
        }
    }
}
