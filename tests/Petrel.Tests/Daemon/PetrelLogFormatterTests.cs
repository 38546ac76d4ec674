using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Petrel.Daemon;

namespace Petrel.Tests.Daemon;

public class PetrelLogFormatterTests
{
    private static string Format(LogLevel level, string template, object?[] args, Exception? exception = null)
    {
        var state = new TemplatedState(template, args);
        var entry = new LogEntry<TemplatedState>(level, "Petrel.Ike.IkeSa", default, state, exception, (s, _) => s.ToString());
        var writer = new StringWriter();
        new PetrelLogFormatter().Write(entry, null, writer);
        return writer.ToString();
    }

    [Fact]
    public void One_line_with_time_level_category_and_sa_fields()
    {
        string line = Format(LogLevel.Information, "IKE SA {IkeSa}[{UniqueId}] established", ["lab", 3]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info  Petrel\.Ike\.IkeSa: IKE SA lab\[3\] established ike_sa=lab unique_id=3\n$", line);
    }

    [Fact]
    public void Engine_sa_tags_split_into_name_and_unique_id()
    {
        string line = Format(LogLevel.Information, "{IkeSa}: {Event}", ["lab[12]", "IKE_SA established"]);
        Assert.EndsWith("Petrel.Ike.IkeSa: lab[12]: IKE_SA established ike_sa=lab unique_id=12\n", line);
    }

    [Fact]
    public void Exceptions_and_newlines_stay_on_one_line()
    {
        string line = Format(LogLevel.Error, "first\nsecond", [], new InvalidOperationException("bad\nthing"));
        Assert.Single(line.TrimEnd('\n').Split('\n'));
        Assert.Contains("error Petrel.Ike.IkeSa: first | second exception=InvalidOperationException: bad | thing", line);
    }

    /// <summary>Structured state as LoggerMessage produces it: the named values plus {OriginalFormat}.</summary>
    private sealed class TemplatedState(string template, object?[] args) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly List<KeyValuePair<string, object?>> _values = Build(template, args);

        private static List<KeyValuePair<string, object?>> Build(string template, object?[] args)
        {
            var list = new List<KeyValuePair<string, object?>>();
            int i = 0;
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(template, @"\{(\w+)\}"))
                list.Add(new(m.Groups[1].Value, args[i++]));
            list.Add(new("{OriginalFormat}", template));
            return list;
        }

        public KeyValuePair<string, object?> this[int index] => _values[index];
        public int Count => _values.Count;
        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _values.GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString()
        {
            string s = template;
            foreach (var kv in _values)
                if (kv.Key != "{OriginalFormat}") s = s.Replace("{" + kv.Key + "}", kv.Value?.ToString());
            return s;
        }
    }
}
