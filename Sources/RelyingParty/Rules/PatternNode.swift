/// The pattern's syntax tree.
indirect enum PatternNode {
    case empty
    case set(ScalarSet)
    case lineStart
    case lineEnd
    case sequence([PatternNode])
    case alternation([PatternNode])
    case repeated(PatternNode, min: Int, max: Int?)
}
