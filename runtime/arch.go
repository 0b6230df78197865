package runtime

import goruntime "runtime"

var goarch = goruntime.GOARCH
