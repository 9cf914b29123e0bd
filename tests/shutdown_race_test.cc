#include "recorder_support.h"
